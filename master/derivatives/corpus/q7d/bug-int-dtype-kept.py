# np.array(w) keeps the integer dtype, so w[i] + h is truncated back to w[i]
def grad_check_vector(f, w, analytic_grad, h=1e-6):
    w = np.array(w)
    numeric = np.zeros(w.size)
    for i in range(w.size):
        w_plus, w_minus = w.copy(), w.copy()
        w_plus[i] = w[i] + h
        w_minus[i] = w[i] - h
        numeric[i] = (f(w_plus) - f(w_minus)) / (2 * h)
    analytic = np.asarray(analytic_grad, dtype=float)
    return np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric) + 1e-12)


W_STAR = np.zeros(3)


def l2_loss(w):
    return np.sum((np.asarray(w, dtype=float) - W_STAR) ** 2)


def l2_grad(w):
    return 2 * (np.asarray(w, dtype=float) - W_STAR)


l2_check_error = grad_check_vector(l2_loss, [1.0, 2.0, 3.0], l2_grad([1.0, 2.0, 3.0]))
