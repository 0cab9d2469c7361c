# Counts the L - 1 connections between layers instead of the L layers
vanishing_products = {L: sigmoid_prime(2.0) ** (L - 1) for L in [1, 5, 10, 20]}
