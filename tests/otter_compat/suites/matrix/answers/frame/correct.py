large = census[census["population"] > 1].reset_index(drop=True)
by_region = census.groupby("region")["population"].sum()
