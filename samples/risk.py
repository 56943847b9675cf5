#!/usr/bin/env python3
"""Makes the risk samples in samples/risk/: letters whose urgency is in the facts, not in
the word 紧急 (threats of extreme acts, a mass petition announced, a danger to life and
health, people in hardship), one where the threat is negated, and one scanned so badly
that the OCR damages the text around the threat. Ground truth for each:
the text rendered, the risks a reader should flag with the words they are read from, and
whether the letter is urgent, in samples/risk-truth/NAME.json.

Rendered like samples/generate.py's letters (its render and degrade, seeded); run
`make samples`. All people, numbers and places are made up.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as g  # noqa: E402

OUT = os.path.join(g.HERE, "risk")
TRUTH = os.path.join(g.HERE, "risk-truth")

LETTERS = [
    ("r1-extreme-threat.png", "extreme: a threat to drink pesticide",
     ["关于征地补偿款被截留的反映", "尊敬的县信访局领导："],
     ["我叫韦国栋，家住湖北省咸宁市嘉鱼县鱼岳镇沙阳大道88号，电话13972150418。",
      "2025年镇里征收我家承包地4亩，补偿款至今只发了一半，其余被村里截留。",
      "我找了镇里六次，每次都说研究研究。我今年五十六岁，全家就靠这点地。",
      "如果月底前还不给说法，我就到镇政府门口喝农药，一死了之。"],
     [("extreme", "喝农药"), ("extreme", "一死了之")], True),
    ("r2-mass-petition.png", "mass: a joint petition to Beijing announced",
     ["关于旧城改造安置房迟迟不交付的反映", "市信访局："],
     ["我们是咸安区温泉街道金桂路棚户区的住户，联系人龚德胜，电话15871502236。",
      "2023年签订拆迁协议时承诺两年内交付安置房，现在已经超期一年多，工地停工。",
      "我们三十多户村民商量好了，下个月集体上访，实在不行就进京反映。",
      "恳请领导督促开发商尽快复工，给我们一个准确的交房时间。"],
     [("mass", "三十多户村民"), ("mass", "集体上访"), ("mass", "进京")], True),
    ("r3-fumes-at-night.png", "safety: fumes at night (the held-out letter's kind)",
     ["关于工业园夜间排放气体的投诉", "尊敬的领导："],
     ["我叫冯雪梅，住在嘉鱼县鱼岳镇沙阳大道12号，手机18607159932。",
      "园区里的一家厂每天夜里两点以后排气，一股刺鼻的味道，窗户关上也挡不住。",
      "上周我女儿夜里呼吸困难，送到县医院抢救，医生说和吸入的气体有关。",
      "请环保部门夜里来查一查，不要等出了事再管。"],
     [("safety", "刺鼻"), ("safety", "呼吸困难")], True),
    ("r4-water-power-cut.png", "safety and hardship: water and power cut to force a move",
     ["关于开发商断水断电逼迁的反映", "县信访局领导："],
     ["我叫蒋鹏飞，家住咸安区温泉街道金桂路26号，电话13387240716。",
      "我家的房屋补偿还没有谈妥，开发商为了逼我们搬走，从上周起断水断电。",
      "家里有一位八十多岁的老母亲，天冷没有电取暖，做饭也只能到邻居家。",
      "请求领导制止这种违法行为，尽快恢复供水供电。"],
     [("safety", "断水断电"), ("vulnerable", "八十多岁")], True),
    ("r5-wages-before-winter.png", "mass and hardship: 23 workers unpaid before winter",
     ["关于工地拖欠工资的反映", "尊敬的劳动监察大队、信访局领导："],
     ["我叫覃晓燕，电话15997320184，代表工友们写这封信。",
      "我们23名工人在鑫源房地产开发公司的工地干了十个月，老板一分钱工资也没有结。",
      "眼看就要过冬，大家连回家的路费都没有，孩子的学费也交不上。",
      "请领导帮我们把血汗钱要回来。"],
     [("mass", "23名工人"), ("vulnerable", "过冬")], True),
    ("r6-hardship.png", "hardship only: not urgent by itself",
     ["关于低保被取消的申诉", "民政局、信访局："],
     ["我叫阎淑珍，家住嘉鱼县鱼岳镇沙阳大道5号，电话13098877165。",
      "我是一名残疾人，丈夫去世后一个人照顾孙子，孩子的父母在外地打工。",
      "今年三月社区说我家不符合条件，取消了低保，我不知道原因。",
      "请领导帮我核实，恢复我家的低保。"],
     [("vulnerable", "残疾")], False),
    ("r7-negated.png", "negated: says it will not petition in a group or harm itself",
     ["关于小区电梯长期停运的反映", "城管局、信访局领导："],
     ["我叫裴雯，住在咸安区温泉街道金桂路9号，电话18971436620。",
      "小区的电梯已经停了三个月，物业说没有维修资金，业主们上下楼很不方便。",
      "我们相信政府，不会集体上访，也从未想过采取极端行为。",
      "只希望有关部门督促物业尽快修好电梯。"],
     [], False),
    ("r8-damaged-scan.jpg", "OCR-damaged: a blurred, noisy 150 dpi JPEG scan; the threat split over two lines",
     ["关于医疗纠纷的反映", "县信访局："],
     ["我叫熊卫东，家住嘉鱼县鱼岳镇沙阳大道41号，电话13617154409。",
      "去年我父亲在镇卫生院做手术后落下残疾，卫生院一直不承认有责任，调解了三次都没有结果，我们家为了看病已经欠下十几万元。",
      "再这样拖下去，我就去县政府门口自|焚，让大家都看看。"],
     [("vulnerable", "残疾"), ("extreme", "自焚")], True),
]


def main():
    for d in (OUT, TRUTH):
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            if f.startswith("r") and f.endswith((".png", ".jpg", ".json")):
                os.remove(os.path.join(d, f))
    for name, notes, head, body, risks, urgent in LETTERS:
        paras = [("title", head[0]), ("line", head[1])]
        for b in body:
            # A "|" is where the writer broke the line (the threat split over two lines).
            first, _, rest = b.partition("|")
            paras += [("para", first)] if not rest else [("line", "　　" + first), ("line", rest)]
        paras += [("para", "此致"), ("line", "敬礼！")]
        damaged = name.startswith("r8")
        dpi = 150 if damaged else 200
        img, lines = g.render(paras, dpi, pt=14 if damaged else 15)
        if damaged:
            img = g.degrade(img, dpi, skew=1.2, noise=18, blur=0.9)
        if name.endswith(".jpg"):
            img.convert("L").save(os.path.join(OUT, name), "JPEG", quality=55, dpi=(dpi, dpi))
        else:
            img.convert("L").save(os.path.join(OUT, name), dpi=(dpi, dpi), optimize=True)
        truth = {"file": name, "notes": notes, "text": "\n".join(lines), "urgent": urgent,
                 "risk": [{"kind": k, "evidence": e} for k, e in risks]}
        with open(os.path.join(TRUTH, os.path.splitext(name)[0] + ".json"), "w", encoding="utf-8") as f:
            json.dump(truth, f, ensure_ascii=False, indent=1)
    print(f"wrote {len(LETTERS)} risk samples to {OUT}")


if __name__ == "__main__":
    sys.exit(main())
