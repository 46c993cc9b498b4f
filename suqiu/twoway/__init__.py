"""The two-way loop: routing demands to departments, their replies back, time limits and figures,
digest delivery, and who may act (API tokens, web accounts)."""
