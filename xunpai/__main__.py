from xunpai.cli import main

main()
