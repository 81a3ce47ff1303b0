module example.com/vend

go 1.14

require example.com/tiny v1.0.0
