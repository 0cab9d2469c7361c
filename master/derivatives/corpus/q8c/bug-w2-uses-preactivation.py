# dL/dw2 multiplies by the pre-activation z1 instead of the activation a1
def net_loss(x, y, w1, b1, w2, b2):
    a1 = expit(w1 * x + b1)
    y_hat = expit(w2 * a1 + b2)
    return 0.5 * (y_hat - y) ** 2


def net_gradients(x, y, w1, b1, w2, b2):
    z1 = w1 * x + b1
    a1 = expit(z1)
    y_hat = expit(w2 * a1 + b2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = delta2 * w2 * a1 * (1 - a1)
    return {"w1": delta1 * x, "b1": delta1, "w2": delta2 * z1, "b2": delta2}
