# Column vectors and matrix products, flattened back to the parameter shapes


def tanh_net_loss(W, b, v, c, x, y):
    h = np.tanh(W @ x.reshape(-1, 1) + b.reshape(-1, 1))
    y_hat = (v.reshape(1, -1) @ h).item() + c
    return 0.5 * (y_hat - y) ** 2


def tanh_net_grads(W, b, v, c, x, y):
    xc, bc, vc = x.reshape(-1, 1), b.reshape(-1, 1), v.reshape(-1, 1)
    h = np.tanh(W @ xc + bc)
    d_yhat = (vc.T @ h).item() + c - y
    d_z = d_yhat * vc * (1 - h * h)  # column, shape (m, 1)
    return {
        "v": (d_yhat * h).ravel(),
        "c": float(d_yhat),
        "W": d_z @ xc.T,
        "b": d_z.ravel(),
        "x": (W.T @ d_z).ravel(),
    }
