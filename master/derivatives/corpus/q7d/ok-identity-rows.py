# Perturbation vectors taken from the rows of h * I
def grad_check_vector(f, w, analytic_grad, h=1e-6):
    w = np.asarray(w, dtype=float)
    g_a = np.asarray(analytic_grad, dtype=float)
    steps = h * np.eye(w.size)
    g_n = np.array([(f(w + e) - f(w - e)) / (2 * h) for e in steps])
    return float(np.linalg.norm(g_a - g_n) / (np.linalg.norm(g_a) + np.linalg.norm(g_n) + 1e-12))


W_STAR = np.zeros(3)


def l2_loss(w):
    d = np.asarray(w, dtype=float) - W_STAR
    return float(d @ d)


def l2_grad(w):
    return 2 * (np.asarray(w, dtype=float) - W_STAR)


l2_check_error = grad_check_vector(l2_loss, [1, 2, 3], l2_grad([1, 2, 3]))
