# Loss without the 1/2, while the gradients are those of the 1/2 version
def net_loss(x, y, w1, b1, w2, b2):
    a1 = expit(w1 * x + b1)
    y_hat = expit(w2 * a1 + b2)
    return (y_hat - y) ** 2


def net_gradients(x, y, w1, b1, w2, b2):
    a1 = expit(w1 * x + b1)
    y_hat = expit(w2 * a1 + b2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = delta2 * w2 * a1 * (1 - a1)
    return {"w1": delta1 * x, "b1": delta1, "w2": delta2 * a1, "b2": delta2}
