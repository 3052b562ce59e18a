// The report tests' hand-built sample scan, compiled into this folder's executable as well.
#include "reports/sample_scan.cpp"
