"""Alerting: rules over the run history, alerts that open and resolve once, notifications by webhook and e-mail."""
