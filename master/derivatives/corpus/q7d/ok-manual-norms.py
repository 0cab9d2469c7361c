# Norms written as square roots of sums of squares; the L2 loss with np.dot
def grad_check_vector(f, w, analytic_grad, h=1e-6):
    base = np.asarray(w, dtype=float).copy()
    g_a = np.asarray(analytic_grad, dtype=float).ravel()
    g_n = np.empty(base.size)
    for i in range(base.size):
        plus, minus = base.copy(), base.copy()
        plus.flat[i] += h
        minus.flat[i] -= h
        g_n[i] = (f(plus) - f(minus)) / (2 * h)
    norm = lambda v: np.sqrt(np.sum(v**2))
    return norm(g_a - g_n) / (norm(g_a) + norm(g_n) + 1e-12)


W_STAR = np.zeros(3)


def l2_loss(w):
    r = np.asarray(w, dtype=float) - W_STAR
    return np.dot(r, r)


def l2_grad(w):
    return 2 * np.asarray(w, dtype=float) - 2 * W_STAR


w0 = [1, 2, 3]
l2_check_error = grad_check_vector(l2_loss, w0, l2_grad(w0))
