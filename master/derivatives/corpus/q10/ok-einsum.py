# np.einsum for the outer product and the backward matrix products


def tanh_net_loss(W, b, v, c, x, y):
    h = np.tanh(np.einsum("ij,j->i", W, x) + b)
    return 0.5 * (np.dot(v, h) + c - y) ** 2


def tanh_net_grads(W, b, v, c, x, y):
    h = np.tanh(np.einsum("ij,j->i", W, x) + b)
    err = np.dot(v, h) + c - y
    delta = err * v * (1 - h**2)
    return {
        "v": err * h,
        "c": err,
        "W": np.einsum("i,j->ij", delta, x),
        "b": delta,
        "x": np.einsum("ij,i->j", W, delta),
    }
