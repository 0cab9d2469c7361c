# Works on a float copy: nudges one entry, evaluates, then restores it
def grad_check_vector(f, w, analytic_grad, h=1e-6):
    w = np.array(w, dtype=float)  # np.array copies, so the caller's w is untouched
    numeric = np.zeros(len(w))
    for i in range(len(w)):
        original = w[i]
        w[i] = original + h
        f_plus = f(w)
        w[i] = original - h
        f_minus = f(w)
        w[i] = original
        numeric[i] = (f_plus - f_minus) / (2 * h)
    analytic = np.array(analytic_grad, dtype=float)
    diff = np.linalg.norm(analytic - numeric)
    return diff / (np.linalg.norm(analytic) + np.linalg.norm(numeric) + 1e-12)


W_STAR = np.zeros(3)


def l2_loss(w):
    return np.sum((np.asarray(w, dtype=float) - W_STAR) ** 2)


def l2_grad(w):
    return 2 * (np.asarray(w, dtype=float) - W_STAR)


l2_check_error = grad_check_vector(l2_loss, np.array([1, 2, 3]), l2_grad(np.array([1, 2, 3])))
