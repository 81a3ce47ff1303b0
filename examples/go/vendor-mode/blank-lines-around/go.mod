module example.com/vend

go 1.19

require example.com/tiny v1.0.0
