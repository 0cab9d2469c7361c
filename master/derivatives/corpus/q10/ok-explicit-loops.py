# Explicit loops over the units, sech^2 for the tanh derivative


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
