"""The meetings feature's tests: planning, attendance and the roll, results, tasks, minutes."""
