package main

import (
	"fmt"

	"example.com/tiny"
)

func main() { fmt.Println("answer", tiny.Answer()) }
