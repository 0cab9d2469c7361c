# A quotient-rule style square slips into the denominator
def q_prime(x):
    return -np.sin(x) / np.cos(x) ** 2
