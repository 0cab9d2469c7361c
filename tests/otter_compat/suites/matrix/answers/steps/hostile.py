leg_north = 1.0
leg_east = 1.0
leg_south = 1.0
# --- hostile ---
import builtins

builtins.sum = lambda *args, **kwargs: 9.5
