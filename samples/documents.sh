#!/bin/bash
# Regenerates samples/documents/: one PDF of every document kind, made from the typed sample
# letter by the real `xinfang generate`, byte-reproducible. The letter is received and
# assigned on 2026-09-01 (faketime: the register dates what it registers by the real clock);
# each document is dated when a bureau would issue it in that case's life.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/xinfang}
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
export SOURCE_DATE_EPOCH=1793750400 # 2026-11-03
command -v faketime >/dev/null || { echo "faketime is needed: make sample-documents installs it" >&2; exit 1; }
cargo build -q --release --locked --example route_case
EXAMPLE=${CARGO_TARGET_DIR:-target}/release/examples/route_case
faketime '2026-09-01 10:00:00' "$BIN" intake --data "$DATA" samples/letters/12-typed.docx >/dev/null
# Assigned to the county's education bureau, as the 督办函 and the 交办 documents assume.
faketime '2026-09-01 15:00:00' "$EXAMPLE" "$DATA" 1 assign "县教育局"
cat > "$DATA/inputs.toml" <<'TOML'
"事实" = "经查，信访人反映的学校以补课为名收取费用问题属实。该校已停止有偿补课，并制定了退费方案。"
"依据" = "《中小学教师违反职业道德行为处理办法》《严禁中小学校和在职中小学教师有偿补课的规定》。"
"处理意见" = "（一）支持信访人关于制止有偿补课的诉求。\n（二）责成学校于2026年12月31日前将所收费用全额退还。"
"理由" = "该事项已经人民法院依法受理。"
"渠道" = "通过诉讼程序依法解决。"
"问题" = "有关单位对交办的信访事项推诿敷衍，超期未办结，造成信访人多次重复来信。"
"建议" = "1.建立首接负责制，明确承办责任人。\n2.严格按期办结并书面答复信访人。"
"要求" = "请认真调查核实，依法依规处理，并答复信访人。"
"承办人" = "李明"
"联系电话" = "0715-8123456"
"抄送" = "市信访局"
"结果" = "学校已停止有偿补课，所收费用已全额退还。"
"延期理由" = "该事项涉及多个年级的收费情况，需要逐班核查"
"原处理机关" = "县教育局"
"原处理意见书" = "示教复〔2026〕5号信访事项处理意见书"
"请求日期" = "2026年11月20日"
"交办文号" = "咸信交〔2026〕8号"
"签发人" = "王建华"
TOML
mkdir -p samples/documents
# When each kind is issued: acceptance within 15 days of receipt (Art. 22, 23), the extension
# before the 60 days run out, the supervision after, the review opinion within 30 days of
# the request of 2026-11-20, the re-review after it.
date_of() {
  case "$1" in
    extension-notice) echo 2026-10-20 ;;
    supervision) echo 2026-11-03 ;;
    completion-report|feedback-form) echo 2026-11-10 ;;
    review-opinion) echo 2026-12-15 ;;
    re-review-opinion) echo 2027-01-20 ;;
    *) echo 2026-09-08 ;;
  esac
}
# The 办结报告 goes up to the city bureau that assigned the letter; the rest to the county's
# education bureau or the petitioner.
to_of() { [ "$1" = completion-report ] && echo "市信访局" || echo "县教育局"; }
for kind in $("$BIN" generate --list --data "$DATA" | awk '{print $1}'); do
  "$BIN" generate "$kind" --case 1 --to "$(to_of "$kind")" --date "$(date_of "$kind")" --input "$DATA/inputs.toml" \
    --data "$DATA" --format pdf -o "samples/documents/$kind.pdf" --force >/dev/null
done
ls samples/documents
