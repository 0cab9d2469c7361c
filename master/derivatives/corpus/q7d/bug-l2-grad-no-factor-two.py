# The factor 2 from differentiating the square is forgotten in l2_grad
def grad_check_vector(f, w, analytic_grad, h=1e-6):
    w = np.array(w, dtype=float)
    numeric = np.zeros_like(w)
    for i in range(w.size):
        step = np.zeros_like(w)
        step[i] = h
        numeric[i] = (f(w + step) - f(w - step)) / (2 * h)
    analytic = np.asarray(analytic_grad, dtype=float)
    return np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric) + 1e-12)


W_STAR = np.zeros(3)


def l2_loss(w):
    return np.sum((np.asarray(w, dtype=float) - W_STAR) ** 2)


def l2_grad(w):
    return np.asarray(w, dtype=float) - W_STAR


l2_check_error = grad_check_vector(l2_loss, [1, 2, 3], l2_grad([1, 2, 3]))
