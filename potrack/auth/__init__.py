"""Who may do what: users, API tokens, roles, the sign-in throttle and the Flask session wiring."""
