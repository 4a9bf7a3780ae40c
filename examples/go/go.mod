module voxray.example/examples

go 1.19
