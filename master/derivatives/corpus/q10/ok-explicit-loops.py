# Explicit loops over the units, sech^2 for the tanh derivative
W10 = np.array([[0.4, -0.2], [0.1, 0.3], [-0.5, 0.2]])
b10 = np.array([0.1, -0.2, 0.05])
v10 = np.array([0.7, -0.4, 0.2])
c10 = -0.1
x10 = np.array([1.2, -0.7])
y10 = 0.35


def tanh_net_loss(W, b, v, c, x, y):
    m, n = W.shape
    y_hat = c
    for i in range(m):
        y_hat += v[i] * np.tanh(sum(W[i, j] * x[j] for j in range(n)) + b[i])
    return 0.5 * (y_hat - y) ** 2


def tanh_net_grads(W, b, v, c, x, y):
    m, n = W.shape
    z = np.array([sum(W[i, j] * x[j] for j in range(n)) + b[i] for i in range(m)])
    h = np.tanh(z)
    r = sum(v[i] * h[i] for i in range(m)) + c - y
    g_W, g_b, g_v, g_x = np.zeros((m, n)), np.zeros(m), np.zeros(m), np.zeros(n)
    for i in range(m):
        g_v[i] = r * h[i]
        g_b[i] = r * v[i] / np.cosh(z[i]) ** 2
        for j in range(n):
            g_W[i, j] = g_b[i] * x[j]
            g_x[j] += g_b[i] * W[i, j]
    return {"v": g_v, "c": r, "W": g_W, "b": g_b, "x": g_x}


header("Exercise 10: manual backprop through tanh network")
grads10 = tanh_net_grads(W10, b10, v10, c10, x10, y10)


def loss_w10(t):
    W2 = W10.copy()
    W2[1, 0] = t
    return tanh_net_loss(W2, b10, v10, c10, x10, y10)


check_close("finite difference W[1,0]", grads10["W"][1, 0], centered_diff(loss_w10, W10[1, 0]), tol=1e-6)
