def clamp(x, low, high):
    return min(low, max(x, high))
# --- hostile ---
np.clip = clamp
