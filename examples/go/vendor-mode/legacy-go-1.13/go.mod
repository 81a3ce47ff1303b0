module example.com/vend

go 1.13

require example.com/tiny v1.0.0
