module github.com/acme/greeter/v2

go 1.19
