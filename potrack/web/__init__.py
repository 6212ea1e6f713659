"""What the dashboard's pages use besides Dash: filters, health verdicts, figures, time formatting, exports, who is
signed in."""
