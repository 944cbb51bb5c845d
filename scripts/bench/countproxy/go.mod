module shipgate.bench/countproxy

go 1.26
