# W's gradient as outer(x, delta): shape (n, m) instead of (m, n)
W10 = np.array([[0.4, -0.2], [0.1, 0.3], [-0.5, 0.2]])
b10 = np.array([0.1, -0.2, 0.05])
v10 = np.array([0.7, -0.4, 0.2])
c10 = -0.1
x10 = np.array([1.2, -0.7])
y10 = 0.35


def tanh_net_loss(W, b, v, c, x, y):
    h = np.tanh(W @ x + b)
    return 0.5 * (v @ h + c - y) ** 2


def tanh_net_grads(W, b, v, c, x, y):
    h = np.tanh(W @ x + b)
    d_yhat = v @ h + c - y
    d_a = d_yhat * v * (1 - h**2)
    return {"v": d_yhat * h, "c": d_yhat, "W": np.outer(x, d_a), "b": d_a, "x": W.T @ d_a}


header("Exercise 10: manual backprop through tanh network")
grads10 = tanh_net_grads(W10, b10, v10, c10, x10, y10)


def loss_w10(t):
    W2 = W10.copy()
    W2[1, 0] = t
    return tanh_net_loss(W2, b10, v10, c10, x10, y10)


check_close("finite difference W[1,0]", grads10["W"][1, 0], centered_diff(loss_w10, W10[1, 0]), tol=1e-6)
