# sin(x^3) read as sin(x)^3, differentiated as 3 sin^2(x) cos(x)
def p_prime(x):
    return 3 * np.sin(x) ** 2 * np.cos(x)
