# A shared forward pass returning the cache, and dict(...) for the gradients
def _forward(x, w1, b1, w2, b2):
    a1 = expit(w1 * x + b1)
    return a1, expit(w2 * a1 + b2)


def net_loss(x, y, w1, b1, w2, b2):
    _, y_hat = _forward(x, w1, b1, w2, b2)
    return 0.5 * (y_hat - y) ** 2


def net_gradients(x, y, w1, b1, w2, b2):
    a1, y_hat = _forward(x, w1, b1, w2, b2)
    delta_out = (y_hat - y) * y_hat * (1 - y_hat)
    delta_hidden = w2 * delta_out * a1 * (1 - a1)
    return dict(w1=x * delta_hidden, b1=delta_hidden, w2=a1 * delta_out, b2=delta_out)
