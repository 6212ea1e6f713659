"""What the dashboard's pages use besides Dash: filters, health verdicts, figures, time formatting, exports."""
