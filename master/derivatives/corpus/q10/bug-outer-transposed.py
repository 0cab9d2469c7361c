# W's gradient as outer(x, delta): shape (n, m) instead of (m, n)


def tanh_net_loss(W, b, v, c, x, y):
    h = np.tanh(W @ x + b)
    return 0.5 * (v @ h + c - y) ** 2


def tanh_net_grads(W, b, v, c, x, y):
    h = np.tanh(W @ x + b)
    d_yhat = v @ h + c - y
    d_a = d_yhat * v * (1 - h**2)
    return {"v": d_yhat * h, "c": d_yhat, "W": np.outer(x, d_a), "b": d_a, "x": W.T @ d_a}
