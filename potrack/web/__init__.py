"""What the dashboard's pages use besides Dash: filters, health verdicts, figures, time formatting, exports, who is
signed in, the alerts page's rules and delivery logs, the runbook's sections."""
