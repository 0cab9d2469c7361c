# Error taken as y - y_hat: every gradient has the wrong sign
def net_loss(x, y, w1, b1, w2, b2):
    a1 = expit(w1 * x + b1)
    y_hat = expit(w2 * a1 + b2)
    return 0.5 * (y - y_hat) ** 2


def net_gradients(x, y, w1, b1, w2, b2):
    a1 = expit(w1 * x + b1)
    y_hat = expit(w2 * a1 + b2)
    delta2 = (y - y_hat) * y_hat * (1 - y_hat)
    delta1 = delta2 * w2 * a1 * (1 - a1)
    return {"w1": delta1 * x, "b1": delta1, "w2": delta2 * a1, "b2": delta2}
