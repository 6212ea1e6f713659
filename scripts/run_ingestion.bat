@echo off
rem Run potrack's ingestion from SQL Server Agent or Windows Task Scheduler, with the project's virtualenv.
rem Usage: scripts\run_ingestion.bat [--source NAME ^| --all] [--baseline] [--json]
rem Exit codes: 0 success, 3 partial, 1 failed, 2 usage or configuration error.
setlocal
cd /d "%~dp0.."
".venv\Scripts\python.exe" -m potrack run %*
exit /b %ERRORLEVEL%
