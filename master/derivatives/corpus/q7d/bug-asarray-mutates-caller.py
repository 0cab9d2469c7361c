# np.asarray does not copy a float array: the in-place +h / -2h / +h nudges leave rounding residue in the caller's w
def grad_check_vector(f, w, analytic_grad, h=1e-6):
    w = np.asarray(w, dtype=float)
    numeric = np.zeros_like(w)
    for i in range(w.size):
        w[i] += h
        f_plus = f(w)
        w[i] -= 2 * h
        f_minus = f(w)
        w[i] += h
        numeric[i] = (f_plus - f_minus) / (2 * h)
    analytic = np.asarray(analytic_grad, dtype=float)
    return np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric) + 1e-12)


W_STAR = np.zeros(3)


def l2_loss(w):
    return np.sum((np.asarray(w, dtype=float) - W_STAR) ** 2)


def l2_grad(w):
    return 2 * (np.asarray(w, dtype=float) - W_STAR)


l2_check_error = grad_check_vector(l2_loss, [1, 2, 3], l2_grad([1, 2, 3]))
