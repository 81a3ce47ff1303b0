#!/bin/sh
echo generating
