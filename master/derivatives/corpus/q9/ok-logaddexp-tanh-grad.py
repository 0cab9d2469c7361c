# log(1 + e^a) = logaddexp(0, a); sigma(a) = (1 + tanh(a/2)) / 2
def bce_from_logit(a, y):
    return np.logaddexp(0.0, a) - a * y


def bce_grad(a, y):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(a, dtype=float))) - y


header("Exercise 9: BCE gradient from logits")
for a_pt, y_pt in [(-2.0, 0.0), (-0.4, 1.0), (1.7, 1.0), (3.0, 0.0)]:
    numeric = centered_diff(lambda t: bce_from_logit(t, y_pt), a_pt)
    check_close(f"gradient check at a={a_pt:+.1f}, y={y_pt:.0f}", bce_grad(a_pt, y_pt), numeric, tol=1e-6)
