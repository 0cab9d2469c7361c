# Column vectors and matrix products, flattened back to the parameter shapes
W10 = np.array([[0.4, -0.2], [0.1, 0.3], [-0.5, 0.2]])
b10 = np.array([0.1, -0.2, 0.05])
v10 = np.array([0.7, -0.4, 0.2])
c10 = -0.1
x10 = np.array([1.2, -0.7])
y10 = 0.35


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


header("Exercise 10: manual backprop through tanh network")
grads10 = tanh_net_grads(W10, b10, v10, c10, x10, y10)


def loss_w10(t):
    W2 = W10.copy()
    W2[1, 0] = t
    return tanh_net_loss(W2, b10, v10, c10, x10, y10)


check_close("finite difference W[1,0]", grads10["W"][1, 0], centered_diff(loss_w10, W10[1, 0]), tol=1e-6)
