module shipgate.bench/floor

go 1.26
