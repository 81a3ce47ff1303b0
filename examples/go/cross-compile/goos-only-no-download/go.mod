module github.com/acme/hello

go 1.22
