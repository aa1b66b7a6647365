"""The study slice: "Học tập và làm theo Bác" (Chỉ thị 05-CT/TW, Kết luận 01-KL/TW)."""
