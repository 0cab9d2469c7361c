# Plain floats out, squared error written as a product
def net_loss(x, y, w1, b1, w2, b2):
    a1 = expit(w1 * x + b1)
    err = expit(w2 * a1 + b2) - y
    return float(0.5 * err * err)


def net_gradients(x, y, w1, b1, w2, b2):
    a1 = expit(w1 * x + b1)
    y_hat = expit(w2 * a1 + b2)
    g_z2 = (y_hat - y) * y_hat * (1 - y_hat)
    g_a1 = g_z2 * w2
    g_z1 = g_a1 * a1 * (1 - a1)
    return {"w2": float(g_z2 * a1), "b2": float(g_z2), "w1": float(g_z1 * x), "b1": float(g_z1)}
