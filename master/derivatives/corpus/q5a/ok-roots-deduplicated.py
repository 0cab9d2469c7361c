# np.roots finds the triple root three times (slightly perturbed); round and deduplicate
def f5_prime(x):
    return 4 * np.power(x - 1, 3)


roots = np.roots([4, -12, 12, -4]).real
critical_points = sorted(set(np.round(roots, 4).tolist()))
