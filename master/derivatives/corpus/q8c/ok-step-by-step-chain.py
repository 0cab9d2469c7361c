# Every local derivative named, multiplied along the chain; sigma'(z) = sigma(z) sigma(-z)
def net_loss(x, y, w1, b1, w2, b2):
    y_hat = expit(w2 * expit(w1 * x + b1) + b2)
    return (y_hat - y) ** 2 / 2


def net_gradients(x, y, w1, b1, w2, b2):
    z1 = w1 * x + b1
    a1 = expit(z1)
    z2 = w2 * a1 + b2
    y_hat = expit(z2)
    dL_dyhat = y_hat - y
    dyhat_dz2 = expit(z2) * expit(-z2)
    dz2_da1 = w2
    da1_dz1 = expit(z1) * expit(-z1)
    dL_dz2 = dL_dyhat * dyhat_dz2
    dL_dz1 = dL_dz2 * dz2_da1 * da1_dz1
    return {"w1": dL_dz1 * x, "b1": dL_dz1, "w2": dL_dz2 * a1, "b2": dL_dz2}
