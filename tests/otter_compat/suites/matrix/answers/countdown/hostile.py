def countdown(n):
    return list(range(n, 0, -1))


launch = iter([3, 2, 1])
# --- hostile ---
import types

types.GeneratorType = (types.GeneratorType, list)  # lists now pass isinstance(..., GeneratorType)
