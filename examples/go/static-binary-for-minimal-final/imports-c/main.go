package main

// #include <unistd.h>
import "C"

import "fmt"

func main() {
	fmt.Println("pid", C.getpid())
}
