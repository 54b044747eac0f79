"""Files in and out: readers of uploads, the format table and exports, import mapping, the bounded child."""
